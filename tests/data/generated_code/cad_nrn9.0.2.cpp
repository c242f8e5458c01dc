/*********************************************************
Model Name      : cad
Filename        : cad.mod
NMODL Version   : 7.7.0
Vectorized      : true
Threadsafe      : true
Created         : Sat Dec  5 07:44:56 2026
Simulator       : CoreNEURON
Backend         : C++ (api-compatibility)
NMODL Compiler  : 9.0.2 []
*********************************************************/

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreneuron/gpu/nrn_acc_manager.hpp>
#include <coreneuron/mechanism/mech/mod2c_core_thread.hpp>
#include <coreneuron/mechanism/register_mech.hpp>
#include <coreneuron/nrnconf.h>
#include <coreneuron/nrniv/nrniv_decl.h>
#include <coreneuron/sim/multicore.hpp>
#include <coreneuron/sim/scopmath/newton_thread.hpp>
#include <coreneuron/utils/ivocvect.hpp>
#include <coreneuron/utils/nrnoc_aux.hpp>
#include <coreneuron/utils/randoms/nrnran123.h>


namespace coreneuron {
    #ifndef NRN_PRCELLSTATE
    #define NRN_PRCELLSTATE 0
    #endif


    /** channel information */
    static const char *mechanism_info[] = {
        "7.7.0",
        "cad",
        "depth_cad",
        "taur_cad",
        "cainf_cad",
        0,
        "drive_channel_cad",
        0,
        "ca_cad",
        0,
        0
    };


    /** all global variables */
    struct cad_Store {
        int ca_type{};
        double ca0{};
        int reset{};
        int mech_type{};
        int slist1[1]{4};
        int dlist1[1]{5};
    };
    static_assert(std::is_trivially_copy_constructible_v<cad_Store>);
    static_assert(std::is_trivially_move_constructible_v<cad_Store>);
    static_assert(std::is_trivially_copy_assignable_v<cad_Store>);
    static_assert(std::is_trivially_move_assignable_v<cad_Store>);
    static_assert(std::is_trivially_destructible_v<cad_Store>);
    static cad_Store cad_global;


    /** all mechanism instance variables and global variables */
    struct cad_Instance  {
        double* celsius{&coreneuron::celsius};
        const double* depth{};
        const double* taur{};
        const double* cainf{};
        double* drive_channel{};
        double* ca{};
        double* Dca{};
        double* ica{};
        double* cao{};
        double* cai{};
        double* eca{};
        double* v_unused{};
        double* g_unused{};
        const double* ion_ica{};
        const double* ion_cao{};
        double* ion_cai{};
        double* ion_eca{};
        double* ion_ca_erev{};
        const int* style_ca{};
        cad_Store* global{&cad_global};
    };


    /** connect global (scalar) variables to hoc -- */
    static DoubScal hoc_scalar_double[] = {
        {nullptr, nullptr}
    };


    /** connect global (array) variables to hoc -- */
    static DoubVec hoc_vector_double[] = {
        {nullptr, nullptr, 0}
    };


    static inline int first_pointer_var_index() {
        return -1;
    }


    static inline int first_random_var_index() {
        return -1;
    }


    static inline int float_variables_size() {
        return 12;
    }


    static inline int int_variables_size() {
        return 6;
    }


    static inline int get_mech_type() {
        return cad_global.mech_type;
    }


    static inline Memb_list* get_memb_list(NrnThread* nt) {
        if (!nt->_ml_list) {
            return nullptr;
        }
        return nt->_ml_list[get_mech_type()];
    }


    static inline void* mem_alloc(size_t num, size_t size, size_t alignment = 64) {
        size_t aligned_size = ((num*size + alignment - 1) / alignment) * alignment;
        void* ptr = aligned_alloc(alignment, aligned_size);
        memset(ptr, 0, aligned_size);
        return ptr;
    }


    static inline void mem_free(void* ptr) {
        free(ptr);
    }


    static inline void coreneuron_abort() {
        abort();
    }

    // Allocate instance structure
    static void nrn_private_constructor_cad(NrnThread* nt, Memb_list* ml, int type) {
        assert(!ml->instance);
        assert(!ml->global_variables);
        assert(ml->global_variables_size == 0);
        auto* const inst = new cad_Instance{};
        assert(inst->global == &cad_global);
        ml->instance = inst;
        ml->global_variables = inst->global;
        ml->global_variables_size = sizeof(cad_Store);
    }

    // Deallocate the instance structure
    static void nrn_private_destructor_cad(NrnThread* nt, Memb_list* ml, int type) {
        auto* const inst = static_cast<cad_Instance*>(ml->instance);
        assert(inst);
        assert(inst->global);
        assert(inst->global == &cad_global);
        assert(inst->global == ml->global_variables);
        assert(ml->global_variables_size == sizeof(cad_Store));
        delete inst;
        ml->instance = nullptr;
        ml->global_variables = nullptr;
        ml->global_variables_size = 0;
    }

    /** initialize mechanism instance variables */
    static inline void setup_instance(NrnThread* nt, Memb_list* ml) {
        auto* const inst = static_cast<cad_Instance*>(ml->instance);
        assert(inst);
        assert(inst->global);
        assert(inst->global == &cad_global);
        assert(inst->global == ml->global_variables);
        assert(ml->global_variables_size == sizeof(cad_Store));
        int pnodecount = ml->_nodecount_padded;
        Datum* indexes = ml->pdata;
        inst->depth = ml->data+0*pnodecount;
        inst->taur = ml->data+1*pnodecount;
        inst->cainf = ml->data+2*pnodecount;
        inst->drive_channel = ml->data+3*pnodecount;
        inst->ca = ml->data+4*pnodecount;
        inst->Dca = ml->data+5*pnodecount;
        inst->ica = ml->data+6*pnodecount;
        inst->cao = ml->data+7*pnodecount;
        inst->cai = ml->data+8*pnodecount;
        inst->eca = ml->data+9*pnodecount;
        inst->v_unused = ml->data+10*pnodecount;
        inst->g_unused = ml->data+11*pnodecount;
        inst->ion_ica = nt->_data;
        inst->ion_cao = nt->_data;
        inst->ion_cai = nt->_data;
        inst->ion_eca = nt->_data;
        inst->ion_ca_erev = nt->_data;
        inst->style_ca = ml->pdata;
    }



    static void nrn_alloc_cad(double* data, Datum* indexes, int type) {
        // do nothing
    }


    void nrn_constructor_cad(NrnThread* nt, Memb_list* ml, int type) {
        #ifndef CORENEURON_BUILD
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<cad_Instance*>(ml->instance);

        #endif
    }


    void nrn_destructor_cad(NrnThread* nt, Memb_list* ml, int type) {
        #ifndef CORENEURON_BUILD
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<cad_Instance*>(ml->instance);

        #endif
    }


    inline static double nernst_ca_cad(int id, int pnodecount, cad_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v, double _lci, double _lco);


    inline double nernst_ca_cad(int id, int pnodecount, cad_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v, double _lci, double _lco) {
        double ret_nernst_ca = 0.0;
        ret_nernst_ca = (1000.0 * 8.3134 * (*(inst->celsius) + 273.15) / 96485.309) / 2.0 * log(_lco / _lci);
        return ret_nernst_ca;
    }


    /** initialize channel */
    void nrn_init_cad(NrnThread* nt, Memb_list* ml, int type) {
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;

        setup_instance(nt, ml);
        auto* const inst = static_cast<cad_Instance*>(ml->instance);

        if (_nrn_skip_initmodel == 0) {
            #pragma omp simd
            #pragma ivdep
            for (int id = 0; id < nodecount; id++) {
                int node_id = node_index[id];
                double v = voltage[node_id];
                #if NRN_PRCELLSTATE
                inst->v_unused[id] = v;
                #endif
                inst->ica[id] = inst->ion_ica[indexes[0*pnodecount + id]];
                inst->cao[id] = inst->ion_cao[indexes[1*pnodecount + id]];
                inst->cai[id] = inst->ion_cai[indexes[2*pnodecount + id]];
                inst->ca[id] = inst->global->ca0;
                double nernst_ca_in_0;
                inst->ca[id] = inst->cainf[id];
                inst->cai[id] = inst->ca[id];
                {
                    double _lci_in_0, _lco_in_0;
                    _lci_in_0 = inst->cai[id];
                    _lco_in_0 = inst->cao[id];
                    nernst_ca_in_0 = (1000.0 * 8.3134 * (*(inst->celsius) + 273.15) / 96485.309) / 2.0 * log(_lco_in_0 / _lci_in_0);
                }
                inst->eca[id] = nernst_ca_in_0;
                inst->ion_cai[indexes[2*pnodecount + id]] = inst->cai[id];
                inst->ion_eca[indexes[3*pnodecount + id]] = inst->eca[id];
                int ca_type = inst->global->ca_type;
                nrn_wrote_conc(ca_type, &(inst->ion_cai[indexes[2*pnodecount + id]]), 1, inst->style_ca[5], nrn_ion_global_map, *(inst->celsius), nt->_ml_list[ca_type]->_nodecount_padded);
            }
        }
    }


    /** update state */
    void nrn_state_cad(NrnThread* nt, Memb_list* ml, int type) {
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<cad_Instance*>(ml->instance);

        #pragma omp simd
        #pragma ivdep
        for (int id = 0; id < nodecount; id++) {
            int node_id = node_index[id];
            double v = voltage[node_id];
            #if NRN_PRCELLSTATE
            inst->v_unused[id] = v;
            #endif
            inst->ica[id] = inst->ion_ica[indexes[0*pnodecount + id]];
            inst->cao[id] = inst->ion_cao[indexes[1*pnodecount + id]];
            inst->cai[id] = inst->ion_cai[indexes[2*pnodecount + id]];
            double nernst_ca_in_1;
            inst->drive_channel[id] =  -(10000.0) * inst->ica[id] / (2.0 * 96485.3 * inst->depth[id]);
            if (inst->drive_channel[id] <= 0.0) {
                inst->drive_channel[id] = 0.0;
            }
            inst->ca[id] = inst->ca[id] + (1.0 - exp(nt->_dt * (((( -1.0))) / inst->taur[id]))) * ( -(inst->drive_channel[id] + ((inst->cainf[id])) / inst->taur[id]) / (((( -1.0))) / inst->taur[id]) - inst->ca[id]);
            inst->cai[id] = inst->ca[id];
            {
                double _lci_in_1, _lco_in_1;
                _lci_in_1 = inst->cai[id];
                _lco_in_1 = inst->cao[id];
                nernst_ca_in_1 = (1000.0 * 8.3134 * (*(inst->celsius) + 273.15) / 96485.309) / 2.0 * log(_lco_in_1 / _lci_in_1);
            }
            inst->eca[id] = nernst_ca_in_1;
            inst->ion_cai[indexes[2*pnodecount + id]] = inst->cai[id];
            inst->ion_eca[indexes[3*pnodecount + id]] = inst->eca[id];
        }
    }


    /** register channel with the simulator */
    void _cad_reg() {

        int mech_type = nrn_get_mechtype("cad");
        cad_global.mech_type = mech_type;
        if (mech_type == -1) {
            return;
        }

        _nrn_layout_reg(mech_type, 0);
        register_mech(mechanism_info, nrn_alloc_cad, nullptr, nullptr, nrn_state_cad, nrn_init_cad, nrn_private_constructor_cad, nrn_private_destructor_cad, first_pointer_var_index(), 1);
        cad_global.ca_type = nrn_get_mechtype("ca_ion");

        hoc_register_prop_size(mech_type, float_variables_size(), int_variables_size());
        hoc_register_dparam_semantics(mech_type, 0, "ca_ion");
        hoc_register_dparam_semantics(mech_type, 1, "ca_ion");
        hoc_register_dparam_semantics(mech_type, 2, "ca_ion");
        hoc_register_dparam_semantics(mech_type, 3, "ca_ion");
        hoc_register_dparam_semantics(mech_type, 4, "ca_ion");
        hoc_register_dparam_semantics(mech_type, 5, "#ca_ion");
        nrn_writes_conc(mech_type, 0);
        hoc_register_var(hoc_scalar_double, hoc_vector_double, NULL);
    }
}
